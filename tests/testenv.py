"""Loaded with ``-p tests.testenv`` before Django reads its settings.

Fills in what a test run needs and leaves anything the caller set alone, so
that CI's DATABASE_URL / REDIS_URL / JINHU_REQUIRE_SERVICES pass through.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "false")
# The live test server speaks plain HTTP: no redirect, no Secure-only cookies.
os.environ.setdefault("SECURE_HTTPS", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Playwright's sync API runs an event loop in the test thread; Django must
# still be allowed to use the database from it (reference/ecosystem.md §5).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
