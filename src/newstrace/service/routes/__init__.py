"""The API's routers, one per area; service.app mounts them all."""
