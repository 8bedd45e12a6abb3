"""Live backends: DHCP (``dhcp/``), TFTP (``tftp/``), Smart Install on TCP 4786 (``smi/``), and
``live.py``, which runs them as the director engine's ``DesiredState`` asks."""
