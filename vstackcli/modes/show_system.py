"""``show version``, ``show clock``, ``show users`` and ``show logging``."""

from __future__ import annotations

from vstackcli.modes.base import Call

__all__ = ["format_uptime", "show_clock", "show_logging", "show_users", "show_version"]


def format_uptime(seconds: float) -> str:
    """IOS's ``uptime is`` wording: ``1 week, 2 days, 3 hours, 4 minutes``."""
    minutes = int(seconds // 60)
    parts = []
    for unit, size in (("year", 525600), ("week", 10080), ("day", 1440), ("hour", 60), ("minute", 1)):
        n, minutes = divmod(minutes, size)
        if n or (unit == "minute" and not parts):
            parts.append(f"{n} {unit}{'s' if n != 1 else ''}")
    return ", ".join(parts)


def show_version(call: Call) -> None:
    d = call.device
    p = d.platform
    mac = p.base_mac.hex
    mac_colon = ":".join(mac[i:i + 2] for i in range(0, 12, 2)).upper()
    major = p.version.split("(")[0]
    call.out.extend([
        f"Cisco IOS Software, {p.model_family} Software ({p.model_family}-UNIVERSALK9-M), Version {p.version}, "
        "RELEASE SOFTWARE (fc2)",
        "Technical Support: http://www.cisco.com/techsupport",
        "Copyright (c) 1986-2020 by Cisco Systems, Inc.",
        "Compiled Tue 31-Mar-20 22:32 by prod_rel_team",
        "",
        f"ROM: Bootstrap program is {p.model_family} boot loader",
        f"BOOTLDR: {p.model_family} Boot Loader (C3750X-HBOOT-M) Version {major}(4r)E5, RELEASE SOFTWARE (fc4)",
        "",
        f"{d.config.hostname} uptime is {format_uptime(d.uptime_seconds())}",
        "System returned to ROM by power-on",
        f"System image file is \"flash:/{p.image}\"",
        "Last reload reason: power-on",
        "",
        "License Level: ipservices",
        "License Type: Permanent",
        "Next reload license Level: ipservices",
        "",
        f"cisco {p.pid} (PowerPC405) processor (revision W0) with {p.memory_kb[0]}K/{p.memory_kb[1]}K bytes of memory.",
        f"Processor board ID {p.serial}",
        "Last reset from power-on",
        "1 Virtual Ethernet interface",
        f"{p.access_ports + p.uplinks} Gigabit Ethernet interfaces",
        f"{p.ten_gig} Ten Gigabit Ethernet interfaces",
        "The password-recovery mechanism is enabled.",
        "",
        "512K bytes of flash-simulated non-volatile configuration memory.",
        f"Base ethernet MAC Address       : {mac_colon}",
        f"Model number                    : {p.pid if p.pid.endswith(('-L', '-S', '-E')) else p.pid + '-L'}",
        f"System serial number            : {p.serial}",
        "",
        "Switch Ports Model              SW Version            SW Image",
        "------ ----- -----              ----------            ----------",
        f"*    1 {p.access_ports + p.uplinks + p.ten_gig:<5} {p.pid:<18} {p.version:<21} "
        f"{p.model_family}-UNIVERSALK9-M",
        "",
        "",
        "Configuration register is 0xF",
    ])


def show_clock(call: Call) -> None:
    now = call.device.clock.now()
    call.print(f"*{now:%H:%M:%S}.{now.microsecond // 1000:03d} UTC {now:%a %b} {now.day} {now.year}")
    if call.arg("detail"):
        call.print("No time source")


def show_users(call: Call) -> None:
    """The console and every live vty line; ``*`` marks the line asking."""
    from vstackcli.net.vty.lines import format_idle, registry

    s = call.session
    call.print("    Line       User       Host(s)              Idle       Location")
    mine = "*" if s.line == "console" else " "
    where = s.source if s.line == "console" else ""
    call.print(f"{mine}  0 con 0                idle                 00:00:00   {where}".rstrip())
    for line in registry(call.device).active():
        mine = "*" if line.name == s.line else " "
        name = f"vty {line.index}"
        call.print(f"{mine}{line.number:>3} {name:<10}{line.user:<11}{'idle':<21}{format_idle(line.idle())}   "
                   f"{line.peer[0]}")
    call.print("")
    call.print("  Interface    User               Mode         Idle     Peer Address")


def _level(level: int | None) -> str:
    from vstackcli.engine.syslog import LEVEL_NAMES

    return "disabled" if level is None else f"level {LEVEL_NAMES[level]}"


def show_logging(call: Call) -> None:
    log = call.device.log
    cfg = call.config
    n = log.logged
    call.out.extend([
        "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes, 0 overruns, "
        "xml disabled, filtering disabled)",
        "",
        "No Active Message Discriminator.",
        "",
        "",
        "No Inactive Message Discriminator.",
        "",
        "",
        f"    Console logging: {_level(cfg.logging_console)}, {n} messages logged, xml disabled,",
        "                     filtering disabled",
        "    Monitor logging: level debugging, 0 messages logged, xml disabled,",
        "                     filtering disabled",
        f"    Buffer logging:  {_level(log.buffer_level)}, {len(log.buffer)} messages logged, xml disabled,",
        "                    filtering disabled",
        "    Exception Logging: size (4096 bytes)",
        "    Count and timestamp logging messages: disabled",
        "    Persistent logging: disabled",
        "",
        "No active filter modules.",
        "",
        f"    Trap logging: level informational, {n} message lines logged",
        "        Logging Source-Interface:       VRF Name:",
        "",
        "Log Buffer (4096 bytes):",
        "",
        *(m.format() for m in log.buffer),
    ])
