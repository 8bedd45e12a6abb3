"""The Smart Install codec against the research's byte tables (smi-protocol.md sections 4-5), round trips,
the parser rules of section 5.3, and property tests on the decoder."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vstackcli.net.smi import codec
from vstackcli.net.smi.codec import (
    BadField,
    BadHeader,
    BadLength,
    BadUrl,
    ChangeConfig,
    CodecError,
    Discovery,
    ExecCommands,
    ExecuteFile,
    ImageUpgrade,
    Incomplete,
    Probe,
    ProbeReply,
    Reject,
    UnknownType,
    decode,
    encode,
)

PROBE_HEX = "000000010000000100000004000000080000000100000000"
REPLY_HEX = "000000040000000000000003000000080000000100000000"
REJECT_HEX = "0000000400000000000000040000000400000001"
EXEC_PREFIX_HEX = "00010014" "00000001" "00000000" "fc994737" "86600000" "000303f4"


def w(*words: int) -> str:
    return "".join(f"{x:08x}" for x in words)


def field(text: str, width: int) -> str:
    """A NUL-padded ASCII field, as SIET builds it (text hex + '00' * (width - len))."""
    return text.encode().hex() + "00" * (width - len(text))


def siet_change_config(url: str, reload: int, hour: int, minute: int) -> bytes:
    """Research 4.5, offset by offset."""
    return bytes.fromhex(w(1, 1, 3, 0x128) + w(3, 0, 0, 2, 0) + w(reload, hour, minute) + "00" * 132
                         + field(url, 132))


def siet_image(url: str, now: bool, hour: int = 0, minute: int = 0) -> bytes:
    """Research 4.6: the two variants in its table."""
    words = w(2, 2081, 0, 0, 1, 0, 0, 0, 1) if now else w(2, 2049, 0, 0, 0, 1, hour, minute, 1)
    return bytes.fromhex(w(1, 1, 2, 0x1C4) + words + field(url, 415) + "01")


def siet_exec(*commands: str) -> bytes:
    """Research 4.7: three 336-byte slots after the captured 24-byte prefix."""
    slots = [*commands] + [""] * (3 - len(commands))
    return bytes.fromhex(w(1, 1, 8, 0x408) + EXEC_PREFIX_HEX + "".join(field(c, 336) for c in slots))


def siet_execute(url: str) -> bytes:
    """Research 4.8."""
    return bytes.fromhex(w(2, 1, 5, 0x210) + w(1) + "00" * 128 + "00" * 264 + field(url, 131) + "01")


CVE_2018_0171 = bytes.fromhex(w(1, 1, 7, 0xD8) + w(1, 0xD8)) + b"A" * 36 + struct.pack(">I", 0x8D8) \
    + b"BBBB" * 44 + b"D" * 2048


# ---- the research's bytes ----------------------------------------------------------------------


def test_fixed_messages_equal_the_research_hex() -> None:
    assert encode(Probe()).hex() == PROBE_HEX
    assert encode(ProbeReply()).hex() == REPLY_HEX
    assert encode(Reject()).hex() == REJECT_HEX
    assert decode(bytes.fromhex(PROBE_HEX)) == (Probe(), b"")
    assert decode(bytes.fromhex(REPLY_HEX)) == (ProbeReply(), b"")
    assert decode(bytes.fromhex(REJECT_HEX)) == (Reject(), b"")


@pytest.mark.parametrize(("message", "expected"), [
    (ChangeConfig("tftp://192.168.1.10/config.text"), siet_change_config("tftp://192.168.1.10/config.text", 0, 0, 0)),
    (ChangeConfig("tftp://10.0.0.1/c.txt", True, 0, 1), siet_change_config("tftp://10.0.0.1/c.txt", 1, 0, 1)),
    (ImageUpgrade("tftp://10.0.0.1/tar_imglist0.txt", reload_now=True),
     siet_image("tftp://10.0.0.1/tar_imglist0.txt", True)),
    (ImageUpgrade("tftp://10.0.0.1/tar_imglist0.txt", hour=12, minute=30),
     siet_image("tftp://10.0.0.1/tar_imglist0.txt", False, 12, 30)),
    (ExecCommands(("copy system:running-config flash:/config.text",
                   "copy flash:/config.text tftp://10.0.0.5/10.0.0.9.conf")),
     siet_exec("copy system:running-config flash:/config.text",
               "copy flash:/config.text tftp://10.0.0.5/10.0.0.9.conf")),
    (ExecCommands(("copy system:running-config tftp://10.0.0.5/kWqjngYF",)),
     siet_exec("copy system:running-config tftp://10.0.0.5/kWqjngYF")),
    (ExecuteFile("tftp://10.0.0.5/execute.txt"), siet_execute("tftp://10.0.0.5/execute.txt")),
])
def test_encoder_bytes_equal_the_research_layouts_and_decode_back(message, expected: bytes) -> None:
    assert encode(message) == expected
    assert decode(expected) == (message, b"")


def test_sizes_are_the_researched_totals() -> None:
    assert len(siet_change_config("tftp://a/b", 0, 0, 0)) == 312
    assert len(siet_image("tftp://a/b", True)) == 468
    assert len(siet_exec("x")) == 1048
    assert len(siet_execute("tftp://a/b")) == 544
    assert len(CVE_2018_0171) == 2288
    one_slot = encode(ExecCommands(("copy a b",), slots=1))
    assert len(one_slot) == 376 and one_slot[36:40].hex() == "00010154"  # ALRIK's one-slot size word


def test_a_stream_of_messages_decodes_one_at_a_time() -> None:
    stream = bytes.fromhex(PROBE_HEX) + siet_exec("show version") + b"\n"
    first, rest = decode(stream)
    assert first == Probe()
    second, rest = decode(rest)
    assert second == ExecCommands(("show version",)) and rest == b"\n"


# ---- parser rules (5.3) ------------------------------------------------------------------------


def test_incomplete_says_how_much_is_needed() -> None:
    data = siet_exec("show version")
    with pytest.raises(Incomplete) as info:
        decode(data[:10])
    assert info.value.needed == 16
    with pytest.raises(Incomplete) as info:
        decode(data[:500])
    assert info.value.needed == 1048


def test_oversized_length_is_rejected_from_the_header_alone() -> None:
    with pytest.raises(BadLength):
        decode(bytes.fromhex(w(1, 1, 8, 0x7FFFFFFF)))  # no body needed to refuse
    with pytest.raises(BadLength):
        decode(bytes.fromhex(w(1, 1, 3, 4097)))


@pytest.mark.parametrize("header", [(1, 1, 4, 12), (1, 1, 3, 295), (1, 1, 2, 453), (1, 1, 8, 1031),
                                    (2, 1, 5, 527), (4, 0, 3, 4)])
def test_fixed_sizes_per_sender_and_type(header: tuple[int, ...]) -> None:
    with pytest.raises(BadLength):
        decode(bytes.fromhex(w(*header)) + bytes(header[3]))


@pytest.mark.parametrize("header", [(1, 1, 10, 0x50), (1, 1, 99, 8), (1, 0, 4, 8), (2, 1, 3, 296), (4, 1, 3, 8)])
def test_unknown_types_and_senders(header: tuple[int, ...]) -> None:
    with pytest.raises(UnknownType):
        decode(bytes.fromhex(w(*header)) + bytes(header[3]))


def test_the_nmap_firebird_probe_is_rejected_on_its_header() -> None:
    firebird = bytes.fromhex(w(1, 0x13, 2, 0x24)) + b"\x00" * 84
    with pytest.raises(BadHeader):
        decode(firebird)
    with pytest.raises(BadHeader):
        decode(bytes.fromhex(w(7, 1, 4, 8)) + bytes(8))


def test_the_cve_2018_0171_shape_is_rejected() -> None:
    with pytest.raises(BadField, match="runs past"):
        decode(CVE_2018_0171)
    # even with an honest length, TLV type 1 is capped far below the 88-byte frame it overflowed
    honest = bytes.fromhex(w(1, 1, 7, 224) + w(1, 216)) + bytes(216)
    with pytest.raises(BadField, match="over"):
        decode(honest)
    small = Discovery(((1, b"x" * 16), (2, b"")))
    assert decode(encode(small)) == (small, b"")


def test_strings_must_hold_a_nul_inside_their_width() -> None:
    url = "tftp://10.0.0.1/" + "a" * 116  # 132 characters: SIET would send it without a NUL
    assert len(url) == 132
    data = bytes.fromhex(w(1, 1, 3, 0x128) + w(3, 0, 0, 2, 0, 0, 0, 0)) + bytes(132) + url.encode()
    with pytest.raises(BadField, match="NUL"):
        decode(data)
    with pytest.raises(ValueError):
        encode(ChangeConfig(url))
    assert decode(encode(ChangeConfig(url[:131])))[0].url == url[:131]
    slot = bytes.fromhex(w(1, 1, 8, 360) + EXEC_PREFIX_HEX) + b"x" * 336
    with pytest.raises(BadField, match="NUL"):
        decode(slot)


@pytest.mark.parametrize("url", ["http://10.0.0.1/x", "tftp://10.0.0.1", "tftp:///x", "tftp://10.0.0.1/",
                                 "tftp://10.0.0.1/a b", "tftp://10.0.0.1/../etc/passwd", "tftp://-x/y",
                                 "tftp://10.0.0.1/\x01"])
def test_bad_urls(url: str) -> None:
    raw = siet_change_config(url, 0, 0, 0)
    with pytest.raises((BadUrl, BadField)):
        decode(raw)
    with pytest.raises(ValueError):
        encode(ChangeConfig(url))


def test_field_ranges() -> None:
    with pytest.raises(BadField):
        decode(siet_change_config("tftp://a/b", 2, 0, 0))
    with pytest.raises(BadField):
        decode(siet_change_config("tftp://a/b", 1, 24, 0))
    with pytest.raises(ValueError):
        encode(ChangeConfig("tftp://a/b", True, 25, 0))
    empty = bytes.fromhex(w(1, 1, 8, 0x408) + EXEC_PREFIX_HEX) + bytes(1008)
    with pytest.raises(BadField, match="without a command"):
        decode(empty)


# ---- properties ------------------------------------------------------------------------------

url_text = st.from_regex(r"tftp://[a-z0-9]{1,12}(\.[a-z0-9]{1,8}){0,3}/[A-Za-z0-9_.-]{1,40}", fullmatch=True) \
    .filter(lambda u: ".." not in u.split("/"))
command_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=335)
messages = st.one_of(
    st.builds(Probe, st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)),
    st.builds(ProbeReply),
    st.builds(Reject, st.integers(0, 2**32 - 1)),
    st.builds(ChangeConfig, url_text, st.booleans(), st.integers(0, 23), st.integers(0, 60)),
    st.builds(ImageUpgrade, url_text, st.just(True)),
    st.builds(ImageUpgrade, url_text, st.just(False), st.booleans(), st.integers(0, 23), st.integers(0, 60)),
    st.builds(lambda cs, extra: ExecCommands(tuple(cs), slots=len(cs) + extra),
              st.lists(command_text, min_size=1, max_size=3), st.integers(0, 2)).filter(lambda m: m.slots <= 3),
    st.builds(ExecuteFile, url_text.filter(lambda u: len(u) <= 130)),
    st.builds(lambda tl: Discovery(tuple(tl)),
              st.lists(st.tuples(st.integers(2, 9), st.binary(max_size=40)), max_size=5)),
)


@settings(max_examples=300, deadline=None)
@given(messages)
def test_round_trip(message) -> None:
    data = encode(message)
    assert decode(data + b"tail") == (message, b"tail")
    assert encode(decode(data)[0]) == data


def _check_decode(data: bytes) -> None:
    try:
        message, rest = decode(data)
    except CodecError:
        return
    consumed = len(data) - len(rest)
    assert data.endswith(rest) and 16 <= consumed <= 16 + codec.MAX_BODY
    assert decode(encode(message)) == (message, b"")  # whatever decodes can be sent again


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=2400))
def test_random_bytes_only_raise_codec_errors(data: bytes) -> None:
    _check_decode(data)


@settings(max_examples=1000, deadline=None)
@given(messages, st.lists(st.tuples(st.integers(0, 2**16), st.integers(0, 255)), max_size=6),
       st.integers(0, 2000))
def test_mutated_messages_only_raise_codec_errors(message, flips, cut: int) -> None:
    data = bytearray(encode(message))
    for position, value in flips:
        data[position % len(data)] = value
    _check_decode(bytes(data[:cut or None]))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
def test_any_header_is_judged_without_its_body(msg_from: int, version: int, type_: int, length: int) -> None:
    header = codec.Header(msg_from, version, type_, length)
    try:
        need = codec.check_header(header)
    except CodecError:
        return
    assert need <= codec.MAX_BODY
