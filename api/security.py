"""Password hashing with argon2id, password rules, and single-use account tokens."""

import functools
import gzip
import hashlib
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY
from flask import current_app, has_app_context

# The cheapest profile keeps the test suite fast; it is never used outside testing.
_HASHERS = {
    "default": PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY),
    "fast": PasswordHasher.from_parameters(CHEAPEST),
}


# Per profile, the hash of a random secret that was thrown away: what a password is checked
# against when there is no hash to check (see `verify_password`).
_NOBODYS_HASHES = {
    "default": "$argon2id$v=19$m=65536,t=3,p=4$OlBn+0cpkPqKohQj4A7wBw$"
               "rsiGDI1zrcLmgYd4ltGbhygWXZmPdkaOlfRrJC8+jmU",
    "fast": "$argon2id$v=19$m=8,t=1,p=1$q9XPtEXDKsc$QKmDzQ",
}


def _profile():
    return current_app.config["PASSWORD_HASH_PROFILE"] if has_app_context() else "default"


def _hasher():
    return _HASHERS[_profile()]


def hash_password(plaintext):
    return _hasher().hash(plaintext)


def verify_password(password_hash, plaintext):
    """True when `plaintext` is the password `password_hash` was made from.

    Every answer costs one verification, so timing tells nothing: without a hash (an unknown
    email, an invited member who has not chosen a password yet, a deleted account),
    `plaintext` is checked against the hash of a secret nobody has, and the answer is False.
    """
    usable = bool(password_hash)
    try:
        return _hasher().verify(password_hash if usable else _NOBODYS_HASHES[_profile()],
                                plaintext) and usable
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)

MIN_PASSWORD_LENGTH = 10
# 20,000 common passwords (lower case) compiled by Royce Williams, as shipped by Django
# (django/contrib/auth/common-passwords.txt.gz, Django 5.2.19, BSD licence).
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"


@functools.cache
def common_passwords():
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines)


def password_problems(plaintext):
    """What is wrong with a new password, as messages for the client (empty when fine)."""
    problems = []
    if len(plaintext) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if plaintext.strip().lower() in common_passwords():
        problems.append("This password is too common; choose another.")
    return problems


def new_token():
    """A URL-safe token of 256 random bits, and the hash under which it is stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()
