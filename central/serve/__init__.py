"""Central's MQTT service: ingest device uplinks, ack, answer requests, publish downlinks."""

from central.serve.server import Server, ServeSettings

__all__ = ["ServeSettings", "Server"]
