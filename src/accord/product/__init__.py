"""Products and therapeutic areas, each product at a lifecycle stage the firewall reads."""
