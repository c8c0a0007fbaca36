"""The version of Rolodex (server and client), importable without importing either."""

VERSION = "0.1.0"
