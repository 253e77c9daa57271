"""The ops console: server-rendered pages for staff. Every write goes through routing.actions."""
