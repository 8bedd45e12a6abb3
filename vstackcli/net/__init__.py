"""Live backends (DHCP, TFTP, Smart Install on TCP 4786); none is running yet."""
