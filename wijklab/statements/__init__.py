"""Practical-training statements: a PDF per student per team, with a verification code checked
at /verify/<code>."""
