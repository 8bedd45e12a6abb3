"""Director files (engine/imagelists.py): image list names, content, write locations, failure messages."""

from __future__ import annotations

import ipaddress

import pytest
from conftest import run

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.groups import Assignment
from vstackcli.engine.imagelists import (
    image_list_location,
    image_list_name,
    image_list_text,
    tailored_config_location,
    tailored_config_text,
    write_director_files,
    write_tailored_config,
)
from vstackcli.engine.model import BuiltinGroup, CustomGroup, StackMatch, VstackConfig
from vstackcli.engine.syslog import SystemLog
from vstackcli.grammar.values import FileUrl

TAR = FileUrl.parse("tftp://101.122.33.10/c2960-lanbase-tar.122-52.SE.tar")
FLASH_TAR = FileUrl.parse("flash:c3750-ipbase-tar.122-52.SE.tar")


def assignment(group: str, image: FileUrl | None = TAR, members: tuple[tuple[int, FileUrl], ...] = ()) -> Assignment:
    return Assignment(group, image, None, None, members)


class Recorder:
    """A writer that keeps what it was given, failing for locations containing ``fail``."""

    def __init__(self, fail: str | None = None):
        self.files: dict[str, bytes] = {}
        self.fail = fail

    def __call__(self, location: str, data: bytes) -> None:
        if self.fail is not None and self.fail in location:
            raise OSError("%Error opening tftp://101.122.33.10/vstack (Permission denied)")
        self.files[location] = data


def messages(log: SystemLog) -> list[str]:
    return [m.format(timestamps=False) for m in log.buffer]


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(("group", "name"), [
    ("default", "vstack/imagelist_default.txt"),
    ("built-in 3750 24poe", "vstack/imagelist_builtin_3750_24poe.txt"),
    ("built-in 2960xr 24-2sfp-il", "vstack/imagelist_builtin_2960xr_24-2sfp-il.txt"),
    ("stack group testgroup", "vstack/imagelist_custom_testgroup.txt"),
    ("mac group textgroup3", "vstack/imagelist_custom_textgroup3.txt"),
    ("connectivity group a-b_c", "vstack/imagelist_custom_a-b_c.txt"),
    ("product-id group P1", "vstack/imagelist_custom_P1.txt"),
])
def test_image_list_names(group, name):
    assert image_list_name(assignment(group)) == name


def test_unsafe_names_are_sanitized_and_kept_apart():
    dotted = image_list_name(assignment("mac group a.b"))
    slashed = image_list_name(assignment("mac group ../a/b"))
    underscored = image_list_name(assignment("mac group a_b"))
    for name in (dotted, slashed):
        stem = name.removeprefix("vstack/").removesuffix(".txt")
        assert name.startswith("vstack/imagelist_custom_")
        assert all(c.isalnum() or c in "_-" for c in stem)
    assert len({dotted, slashed, underscored}) == 3
    assert dotted == image_list_name(assignment("mac group a.b"))  # stable


def test_name_of_a_non_group_is_an_error():
    with pytest.raises(ValueError):
        image_list_name(assignment("something"))


# ---------------------------------------------------------------- content


def test_standalone_list_names_the_image_path():
    assert image_list_text(assignment("default")) == "c2960-lanbase-tar.122-52.SE.tar\n"
    assert image_list_text(assignment("default", FLASH_TAR)) == "c3750-ipbase-tar.122-52.SE.tar\n"
    deep = FileUrl.parse("tftp://10.0.0.1/dir/x.tar")
    assert image_list_text(assignment("default", deep)) == "dir/x.tar\n"


def test_stack_list_has_one_line_per_member_in_member_order():
    other = FileUrl.parse("tftp://10.0.0.1/c3750e-universalk9-tar.122-58.SE.tar")
    a = assignment("stack group s", TAR, ((3, other), (1, TAR), (2, TAR)))
    assert image_list_text(a) == ("c2960-lanbase-tar.122-52.SE.tar\n" * 2) + "c3750e-universalk9-tar.122-58.SE.tar\n"


def test_no_image_is_an_error():
    with pytest.raises(ValueError):
        image_list_text(assignment("default", None))


# ---------------------------------------------------------------- locations and writing


def test_locations_follow_the_image():
    assert image_list_location(assignment("default", FLASH_TAR)) == "flash:vstack/imagelist_default.txt"
    for fs in ("flash0:", "flash1:", "usb:"):
        local = FileUrl.parse(f"{fs}x.tar")
        location = image_list_location(assignment("built-in 3750 24", local))
        assert location == "flash:vstack/imagelist_builtin_3750_24.txt"
    assert image_list_location(assignment("mac group m")) == "tftp://101.122.33.10/vstack/imagelist_custom_m.txt"


def full_config() -> VstackConfig:
    cfg = VstackConfig(image=TAR)
    cfg.builtin_groups[("3750", "24poe")] = BuiltinGroup("3750", "24poe", image=FLASH_TAR)
    cfg.builtin_groups[("2960", "24")] = BuiltinGroup("2960", "24", config=FileUrl.parse("flash:c.txt"))  # no image
    cfg.custom_groups["stk"] = CustomGroup("stk", "stack", image=TAR,
                                           stack=[StackMatch(1, "3750", "24poe"), StackMatch(2, "3750", "24poe")])
    cfg.custom_groups["macs"] = CustomGroup("macs", "mac", image=FLASH_TAR)
    return cfg


def test_write_director_files_writes_default_and_groups_with_images():
    log = SystemLog(FakeClock())
    rec = Recorder()
    written = write_director_files(full_config(), rec, log)
    assert written == [
        "tftp://101.122.33.10/vstack/imagelist_default.txt",
        "flash:vstack/imagelist_builtin_3750_24poe.txt",
        "tftp://101.122.33.10/vstack/imagelist_custom_stk.txt",
        "flash:vstack/imagelist_custom_macs.txt",
    ]
    assert rec.files["tftp://101.122.33.10/vstack/imagelist_default.txt"] == b"c2960-lanbase-tar.122-52.SE.tar\n"
    assert rec.files["tftp://101.122.33.10/vstack/imagelist_custom_stk.txt"] == b"c2960-lanbase-tar.122-52.SE.tar\n" * 2
    assert rec.files["flash:vstack/imagelist_custom_macs.txt"] == b"c3750-ipbase-tar.122-52.SE.tar\n"
    assert messages(log) == []


def test_nothing_to_write_without_images():
    log = SystemLog(FakeClock())
    assert write_director_files(VstackConfig(), Recorder(), log) == []
    assert messages(log) == []


def test_an_image_list_given_as_image_is_not_rewritten():
    cfg = VstackConfig(image=FileUrl.parse("tftp://10.0.0.1/stack_imagelist.txt"))
    assert write_director_files(cfg, Recorder(), SystemLog(FakeClock())) == []


def test_default_list_failure_logs_imagelist_failed():
    log = SystemLog(FakeClock())
    rec = Recorder(fail="imagelist_default")
    written = write_director_files(full_config(), rec, log)
    assert "tftp://101.122.33.10/vstack/imagelist_default.txt" not in written
    assert len(written) == 3  # the other lists are still written
    assert messages(log) == ["%SMI-3-IMAGELIST_FAILED: Default image list creation failed."]


def test_group_list_failure_logs_the_same_message():
    log = SystemLog(FakeClock())
    written = write_director_files(full_config(), Recorder(fail="tftp:"), log)
    assert written == ["flash:vstack/imagelist_builtin_3750_24poe.txt", "flash:vstack/imagelist_custom_macs.txt"]
    assert messages(log) == ["%SMI-3-IMAGELIST_FAILED: Default image list creation failed."] * 2


def test_files_from_a_configured_session(configuring):
    run(configuring, "vstack director 1.1.1.20", "vstack basic",
        "vstack image flash:c2960-lanbase-tar.122-52SE.tar",
        "vstack group built-in 2960 24", "image tftp://101.122.33.10/c2960-lanbasek9-tar.122-52.SE.tar", "exit")
    rec = Recorder()
    written = write_director_files(configuring.device.config.vstack, rec, configuring.device.log)
    assert written == ["flash:vstack/imagelist_default.txt",
                       "tftp://101.122.33.10/vstack/imagelist_builtin_2960_24.txt"]
    assert rec.files["flash:vstack/imagelist_default.txt"] == b"c2960-lanbase-tar.122-52SE.tar\n"


# ---------------------------------------------------------------- tailored configuration


def test_tailored_config_follows_the_guide_example():
    assert tailored_config_text(ipaddress.IPv4Address("5.1.1.1"), "cisco") == (
        "!\nversion 12.2\n!\nenable password cisco\n!\nusername cisco\n!\nvstack director 5.1.1.1\n!\nend\n!\n")
    assert tailored_config_text("5.1.1.1", "cisco") == tailored_config_text("5.1.1.1", "cisco")  # deterministic


def test_tailored_config_without_password_and_bad_input():
    text = tailored_config_text("1.1.1.20", "")
    assert "enable password" not in text and "username" not in text
    assert "vstack director 1.1.1.20\n" in text
    with pytest.raises(ValueError):
        tailored_config_text("1.1.1.20", "a\nvstack director 6.6.6.6")
    with pytest.raises(ValueError):
        tailored_config_text("not-an-ip", "cisco")


def test_write_tailored_config_and_its_failure():
    log = SystemLog(FakeClock())
    rec = Recorder()
    assert write_tailored_config("1.1.1.20", "cisco", rec, log) == "flash:vstack/tailored_config.txt"
    assert b"vstack director 1.1.1.20\n" in rec.files["flash:vstack/tailored_config.txt"]
    assert messages(log) == []
    assert write_tailored_config("1.1.1.20", "cisco", Recorder(fail="flash:"), log) is None
    assert messages(log) == ["%SMI-3-TAILOR_FAILED: Legacy switches will not be upgraded"]


def test_tailored_config_location_follows_the_default_image():
    assert tailored_config_location(VstackConfig()) == "flash:vstack/tailored_config.txt"
    assert tailored_config_location(VstackConfig(image=FLASH_TAR)) == "flash:vstack/tailored_config.txt"
    assert tailored_config_location(VstackConfig(image=TAR)) == "tftp://101.122.33.10/vstack/tailored_config.txt"
