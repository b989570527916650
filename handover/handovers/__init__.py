"""Handing a unit over: the gate, the signing with its history, and the handover date."""
