"""Smart Install (TCP 4786): the wire codec, vstackcli's report extension, and the director and
client endpoints. See ``docs/smi-extension.md`` and the research file ``smi-protocol.md``."""

from vstackcli.net.smi.client_endpoint import ClientEndpoint, ClientState, Transfers
from vstackcli.net.smi.codec import CodecError, decode, encode
from vstackcli.net.smi.director_endpoint import DirectorEndpoint, SmiBackend, command_message

__all__ = [
    "ClientEndpoint",
    "ClientState",
    "CodecError",
    "DirectorEndpoint",
    "SmiBackend",
    "Transfers",
    "command_message",
    "decode",
    "encode",
]
