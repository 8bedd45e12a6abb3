"""The SMI-* system messages of the guide's troubleshooting chapter, in its exact words.

One table: mnemonic -> (severity, text template). ``smi(log, "SWITCH_ADD", enet=mac)``
logs ``%SMI-6-SWITCH_ADD: New Device detected by Director with mac address: 0016.4779.b780``.
The guide's wording is kept character for character, its quirks included (the
join-window message has no closing parenthesis; both backup-success variants
read the same).
"""

from __future__ import annotations

from vstackcli.engine.syslog import LogMessage, SystemLog

__all__ = ["SMI_MESSAGES", "smi", "smi_text"]

SMI_MESSAGES: dict[str, tuple[int, str]] = {
    "IMAGELIST_FAILED": (3, "Default image list creation failed."),
    "IMG_CFG_NOT_CONFIGURED": (3, "{chars} (IP Address :{inet}) : The Director does not have a image list file "
                                  "or a configuration file configured for this Product-ID"),
    "INTERNAL_ERROR": (3, "{chars} - {dec}"),
    "SMI_CLIENT_BACKUP_FAILURE": (3, "Client Device startup configuration backup fail on repository"),
    "SMI_DIRECTOR_BACKUP_FAILURE": (3, "Client Device ({inet}) startup configuration backup fail on repository: "
                                       "{repository} - reason: {reason}"),
    "TAILOR_FAILED": (3, "Legacy switches will not be upgraded"),
    "UPGRD_FAILED": (3, "Device (IP address: {inet}) {chars} upgrade failed"),
    "DIRECTOR": (5, "Director is {chars}"),
    "AUTOINSTALL": (6, "{chars} AUTOINSTALL"),
    "CLIENT_CONN_FAILED": (6, "Device (IP address: {inet}) failed to connect to Director (IP address : {director})"),
    "INCORRECT_CFG": (6, "No image and config configured for this {kind} {model}"),
    "SMI_CLIENT_BACKUP_SUCCESS": (6, "Client Device startup configuration backup successful on repository"),
    "SMI_INVALID_MESSAGE": (6, "Received invalid message from {chars} (IP Address : {inet}), SMI Version : {version} "
                               "Message Type : {type}"),
    "SMI_JOIN_WINDOW_MESSAGE": (6, "SMI Join window {chars} on IBD(IP address: {inet}"),
    "SWITCH_ADD": (6, "New Device detected by Director with mac address: {enet}"),
    "SWITCH_REMOVE": (6, "Device {enet} removed from the Director Database"),
    "SWITCH_REPLACE": (6, "Device {enet} is being replaced by {new} Device"),
    "UPGRD_STARTED": (6, "Device (IP address: {inet}) {chars} upgrade has started"),
    "UPGRD_SUCCESS": (6, "Device (IP address: {inet}) {chars} has upgraded successfully"),
}


def smi_text(mnemonic: str, **fields: object) -> str:
    """The message text with its fields filled in."""
    _severity, template = SMI_MESSAGES[mnemonic]
    return template.format(**{k: str(v) for k, v in fields.items()})


def smi(log: SystemLog, mnemonic: str, **fields: object) -> LogMessage:
    """Log one SMI message."""
    severity, _template = SMI_MESSAGES[mnemonic]
    return log.log("SMI", severity, mnemonic, smi_text(mnemonic, **fields))
