"""napalm's ios driver, unmodified, over SSH on 127.0.0.1: open, get_facts, get_config, get_interfaces,
get_interfaces_ip, get_snmp_information, get_ntp_servers, get_vlans, cli, is_alive, and a merge
(load_merge_candidate over SCP, compare_config, commit_config), each checked against the device."""

from __future__ import annotations

from pathlib import Path

from napalm import get_network_driver
from ssh_switch import ADMIN, ADMIN_PASSWORD, ENABLE_SECRET, configure, ssh_switch

from vstackcli.engine.render import config_lines
from vstackcli.shell.session import Session

MERGE = """vstack director 10.7.7.1
vstack basic
vstack group custom floor2 mac
 match mac 0018.7363.4299
 config flash:floor2.txt
!
end
"""

NAPALM_DROPS = ("Building configuration", "Current configuration :", "! Last configuration change at",
                "! NVRAM config last updated at")


def open_driver(port: int):
    driver = get_network_driver("ios")("127.0.0.1", ADMIN, ADMIN_PASSWORD, timeout=30,
                                       optional_args={"port": port, "secret": ENABLE_SECRET, "fast_cli": False})
    driver.open()
    return driver


def test_napalm_ios_getters(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        device = switch.device
        configure(device, "interface vlan 1", "ip address 192.168.1.1 255.255.255.0", "ip helper-address 192.168.1.5",
                  "snmp-server community public RO", "snmp-server location Lab 1", "ntp server 10.0.0.123")
        Session(device, privilege=15, length=0).execute("write memory")
        driver = open_driver(switch.port)
        try:
            assert driver.is_alive() == {"is_alive": True}
            facts = driver.get_facts()
            assert facts["hostname"] == "Director"
            assert facts["fqdn"] == "Director.lab.example"
            assert facts["vendor"] == "Cisco"
            assert facts["serial_number"] == device.platform.serial
            assert device.platform.version in facts["os_version"]
            assert facts["model"] == device.platform.pid or device.platform.pid in facts["model"]
            assert "Vlan1" in facts["interface_list"] and "GigabitEthernet1/0/1" in facts["interface_list"]
            config = driver.get_config()
            shown = Session(device, privilege=15, length=0).execute("show running-config").lines
            running = [line for line in shown if line.strip() and not line.startswith(NAPALM_DROPS)]
            assert [line for line in config["running"].splitlines() if line.strip()] == running
            assert "username admin privilege 15 secret 5 " in config["startup"]
            assert config["candidate"] == ""
            interfaces = driver.get_interfaces()  # parses `show interfaces`
            port = interfaces["GigabitEthernet1/0/1"]
            assert (port["is_enabled"], port["is_up"], port["mtu"]) == (True, False, 1500)
            assert port["mac_address"].replace(":", "").lower() == f"{device.platform.base_mac.value + 1:012x}"
            assert interfaces["Vlan1"]["is_up"] is True and interfaces["Vlan1"]["speed"] == 1000.0
            assert len([n for n in interfaces if n.startswith(("Gigabit", "TenGigabit"))]) == 30
            addresses = driver.get_interfaces_ip()  # parses `show ip interface`
            assert addresses["Vlan1"]["ipv4"] == {"192.168.1.1": {"prefix_length": 24}}
            assert "GigabitEthernet1/0/1" not in addresses  # no address, no entry
            snmp = driver.get_snmp_information()  # the running-config and `show snmp chassis`
            assert snmp["chassis_id"] == device.platform.serial and snmp["location"] == "Lab 1"
            assert snmp["community"] == {"public": {"mode": "ro", "acl": "N/A"}}
            assert driver.get_ntp_servers() == {"10.0.0.123": {}}
            vlans = driver.get_vlans()  # `show vlan`
            assert vlans["1"]["name"] == "default" and "GigabitEthernet1/0/1" in vlans["1"]["interfaces"]
            out = driver.cli(["show vstack config", "show privilege"])
            assert out["show privilege"] == "Current privilege level is 15"
            assert out["show vstack config"].splitlines()[0] == "Capability: Director | Client"  # napalm strips
        finally:
            driver.close()


def test_napalm_ios_merge_over_scp(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        device = switch.device
        driver = open_driver(switch.port)
        try:
            driver.load_merge_candidate(config=MERGE)
            assert device.storage.flash.read("merge_config.txt") == MERGE.encode()
            assert device.config.vstack.director is None  # nothing applied before the commit
            diff = driver.compare_config()
            assert diff.splitlines() == ["+vstack director 10.7.7.1", "+vstack basic",
                                         "+vstack group custom floor2 mac", "+ match mac 0018.7363.4299",
                                         "+ config flash:floor2.txt"]
            driver.commit_config()
            assert str(device.config.vstack.director) == "10.7.7.1"
            assert "floor2" in device.config.vstack.custom_groups
            startup = device.storage.startup_config()
            assert startup is not None and "vstack group custom floor2 mac\n match mac 0018.7363.4299\n" in startup
            assert device.storage.flash.exists("rollback_config.txt")  # napalm's rollback copy
            assert driver.compare_config() == ""  # merged: nothing left to add
        finally:
            driver.close()
        # napalm turned `file prompt quiet` on for its file operations and off again when it closed
        running = config_lines(device.config)
        assert "file prompt quiet" not in running


def test_napalm_ios_discard_config(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        device = switch.device
        driver = open_driver(switch.port)
        try:
            driver.load_merge_candidate(config=MERGE)
            driver.discard_config()  # `copy null: flash:/merge_config.txt`, `copy running-config flash:/candidate...`
            assert device.storage.flash.read("merge_config.txt") == b""
            assert device.storage.flash.read("candidate_config.txt").startswith(b"!")
            assert driver.compare_config() == ""
            assert device.config.vstack.director is None
        finally:
            driver.close()
