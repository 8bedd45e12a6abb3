"""TFTP for the director: a server for ``flash:`` (images, configurations, image lists, scripts, client
backups) and a client for ``copy tftp://`` and external repositories. See docs/tftp.md."""

from vstackcli.net.tftp.server import TftpServer, TransferStats, WritePolicy

__all__ = ["TftpServer", "TransferStats", "WritePolicy"]
