"""Fee settlement at handover: the area differential, fees, payments and refunds."""
