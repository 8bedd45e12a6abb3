"""vty lines: the terminal contract (``terminal.py``), access policy, live lines, login and telnet.

``serve_terminal(device, io, peer=..., transport=...)`` runs one session over any
``TerminalIO``; ``telnet.py`` and the SSH server are transports for it.
"""
