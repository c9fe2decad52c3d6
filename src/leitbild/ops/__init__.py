"""Operations: production server, health check, structured logs, backup and restore."""
