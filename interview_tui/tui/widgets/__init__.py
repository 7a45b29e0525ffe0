"""Widgets of the interview app, one area per module."""
