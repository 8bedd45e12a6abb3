"""Every SMI system message of the guide's troubleshooting chapter, in its exact words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.messages import SMI_MESSAGES, smi
from vstackcli.engine.syslog import SystemLog

# (mnemonic, fields, the guide's text with its [chars]/[inet]/[enet]/[dec] filled in the same way)
GUIDE = [
    ("IMAGELIST_FAILED", {}, "%SMI-3-IMAGELIST_FAILED: Default image list creation failed."),
    ("IMG_CFG_NOT_CONFIGURED", {"chars": "DEV-c6.b5c0", "inet": "10.0.0.5"},
     "%SMI-3-IMG_CFG_NOT_CONFIGURED: DEV-c6.b5c0 (IP Address :10.0.0.5) : The Director does not have a image "
     "list file or a configuration file configured for this Product-ID"),
    ("INTERNAL_ERROR", {"chars": "bad state", "dec": 7}, "%SMI-3-INTERNAL_ERROR: bad state - 7"),
    ("SMI_CLIENT_BACKUP_FAILURE", {},
     "%SMI-3-SMI_CLIENT_BACKUP_FAILURE: Client Device startup configuration backup fail on repository"),
    ("SMI_DIRECTOR_BACKUP_FAILURE", {"inet": "10.0.0.5", "repository": "flash:/vstack", "reason": "full"},
     "%SMI-3-SMI_DIRECTOR_BACKUP_FAILURE: Client Device (10.0.0.5) startup configuration backup fail on "
     "repository: flash:/vstack - reason: full"),
    ("TAILOR_FAILED", {}, "%SMI-3-TAILOR_FAILED: Legacy switches will not be upgraded"),
    ("UPGRD_FAILED", {"inet": "10.0.0.5", "chars": "image"},
     "%SMI-3-UPGRD_FAILED: Device (IP address: 10.0.0.5) image upgrade failed"),
    ("DIRECTOR", {"chars": "Enabled"}, "%SMI-5-DIRECTOR: Director is Enabled"),
    ("AUTOINSTALL", {"chars": "aborted"}, "%SMI-6-AUTOINSTALL: aborted AUTOINSTALL"),
    ("CLIENT_CONN_FAILED", {"inet": "10.0.0.5", "director": "10.0.0.1"},
     "%SMI-6-CLIENT_CONN_FAILED: Device (IP address: 10.0.0.5) failed to connect to Director (IP address : "
     "10.0.0.1)"),
    ("INCORRECT_CFG", {"kind": "sku type", "model": "WS-C2960-24TT-L"},
     "%SMI-6-INCORRECT_CFG: No image and config configured for this sku type WS-C2960-24TT-L"),
    ("SMI_CLIENT_BACKUP_SUCCESS", {},
     "%SMI-6-SMI_CLIENT_BACKUP_SUCCESS: Client Device startup configuration backup successful on repository"),
    ("SMI_INVALID_MESSAGE", {"chars": "client", "inet": "10.0.0.5", "version": 1, "type": 7},
     "%SMI-6-SMI_INVALID_MESSAGE: Received invalid message from client (IP Address : 10.0.0.5), SMI Version : 1 "
     "Message Type : 7"),
    ("SMI_JOIN_WINDOW_MESSAGE", {"chars": "Start", "inet": "10.0.0.1"},
     "%SMI-6-SMI_JOIN_WINDOW_MESSAGE: SMI Join window Start on IBD(IP address: 10.0.0.1"),
    ("SWITCH_ADD", {"enet": "0016.4779.b780"},
     "%SMI-6-SWITCH_ADD: New Device detected by Director with mac address: 0016.4779.b780"),
    ("SWITCH_REMOVE", {"enet": "0016.4779.b780"},
     "%SMI-6-SWITCH_REMOVE: Device 0016.4779.b780 removed from the Director Database"),
    ("SWITCH_REPLACE", {"enet": "0016.4779.b780", "new": "0016.4779.c780"},
     "%SMI-6-SWITCH_REPLACE: Device 0016.4779.b780 is being replaced by 0016.4779.c780 Device"),
    ("UPGRD_STARTED", {"inet": "10.0.0.5", "chars": "c2960.tar"},
     "%SMI-6-UPGRD_STARTED: Device (IP address: 10.0.0.5) c2960.tar upgrade has started"),
    ("UPGRD_SUCCESS", {"inet": "10.0.0.5", "chars": "c2960.tar"},
     "%SMI-6-UPGRD_SUCCESS: Device (IP address: 10.0.0.5) c2960.tar has upgraded successfully"),
]


@pytest.mark.parametrize(("mnemonic", "fields", "text"), GUIDE, ids=[g[0] for g in GUIDE])
def test_message_text(mnemonic: str, fields: dict, text: str) -> None:
    log = SystemLog(FakeClock())
    assert smi(log, mnemonic, **fields).format(timestamps=False) == text
    assert log.buffer[-1].format().startswith("*Mar  1 00:00:00.000: %SMI-")


def test_every_guide_message_is_in_the_table() -> None:
    assert {g[0] for g in GUIDE} == set(SMI_MESSAGES)
    guide = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_5cccd99b50da2d74.txt"
    if guide.exists():  # the guide sits beside the repository here and in CI
        named = set(re.findall(r"Error Message SMI-\d-([A-Z_]+):", guide.read_text()))
        assert named == set(SMI_MESSAGES)
