"""Validators that keep number detectors from firing on ordinary numbers."""

from __future__ import annotations

import ipaddress

_CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_ID_CHECK = "10X98765432"

# ISO 13616 registry: country code -> IBAN length.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = ord(ch) - 48
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def card_prefix_ok(digits: str) -> bool:
    """Issuer ranges of the big networks (Visa, Mastercard, Amex, Diners, JCB, Discover, UnionPay, Maestro)."""
    if digits[0] in "3456":
        return True
    return 2221 <= int(digits[:4]) <= 2720


def iban_ok(compact: str) -> bool:
    """Registry length for the country and ISO 7064 mod-97 == 1."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def cn_id_ok(number: str) -> bool:
    """GB 11643-1999 check digit (ISO 7064 MOD 11-2) of an 18-character resident ID."""
    total = sum(int(d) * w for d, w in zip(number[:17], _CN_ID_WEIGHTS, strict=True))
    return _CN_ID_CHECK[total % 11] == number[17].upper()


def ipv4_ok(candidate: str) -> bool:
    """A real, identifying IPv4 address: not loopback, 0.0.0.0 or a netmask."""
    try:
        address = ipaddress.IPv4Address(candidate)
    except ValueError:
        return False
    if address.is_loopback or address.is_unspecified:
        return False
    return not _is_netmask(int(address))


def _is_netmask(value: int) -> bool:
    # 255.255.255.0 and friends: ones then zeros, starting with 255.
    inverted = ~value & 0xFFFFFFFF
    return value >> 24 == 0xFF and inverted & (inverted + 1) == 0


def ipv6_ok(candidate: str) -> bool:
    """A full or ``::``-compressed IPv6 address that is not ``::`` or ``::1``."""
    address_text = candidate.split("%", 1)[0]
    if (
        "::" not in address_text
        and address_text.count(":") != 7
        and not (address_text.count(":") == 6 and "." in address_text)
    ):
        return False
    try:
        address = ipaddress.IPv6Address(address_text)
    except ValueError:
        return False
    if address.is_loopback or address.is_unspecified:
        return False
    groups = [g for g in address_text.split(":") if g]
    # C++/Rust paths like ``a::b`` or ``cafe::beef`` are valid hex but not addresses.
    return len(groups) >= 3 or any(ch.isdigit() for ch in address_text)
