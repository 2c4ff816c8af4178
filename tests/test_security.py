"""Password rules and account tokens."""

import pytest

from api.security import common_passwords, hash_token, new_token, password_problems


def test_ships_a_list_of_twenty_thousand_common_passwords():
    passwords = common_passwords()
    assert len(passwords) > 19000
    assert {"password", "123456", "qwerty"} <= passwords


@pytest.mark.parametrize("password", ["Password123", "1234567890", "QWERTYUIOP", "iloveyou12"])
def test_common_passwords_are_refused_whatever_their_case(password):
    assert password_problems(password) == ["This password is too common; choose another."]


def test_short_passwords_are_refused():
    assert password_problems("Zq8#kL2!") == ["Use at least 10 characters."]


def test_a_long_uncommon_password_passes():
    assert password_problems("Wang Mingyang at the 2021 forum") == []


def test_tokens_carry_256_random_bits_and_are_stored_hashed():
    token, stored = new_token()
    assert len(token) == 43  # 32 bytes, URL-safe base64 without padding
    assert stored == hash_token(token) != token
    assert new_token()[0] != token
