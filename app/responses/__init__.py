"""Responses to hosted forms: capture, screens, tokens and the service that saves them."""
