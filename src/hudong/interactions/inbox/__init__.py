"""One inbox: open inbound conversations of every channel, routed to agents."""
