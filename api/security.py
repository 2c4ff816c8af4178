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


def _hasher():
    profile = current_app.config["PASSWORD_HASH_PROFILE"] if has_app_context() else "default"
    return _HASHERS[profile]


def hash_password(plaintext):
    return _hasher().hash(plaintext)


def verify_password(password_hash, plaintext):
    try:
        return _hasher().verify(password_hash, plaintext)
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
