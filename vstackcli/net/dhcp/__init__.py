"""The director's DHCPv4 server: ``codec`` (wire format), ``leases`` (bindings, ``remember``), ``server``."""
