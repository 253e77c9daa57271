"""Thin clients over the vendor SDKs and APIs: the seam the tests fake with `responses`."""
