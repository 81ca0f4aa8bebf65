"""Prospects: the prospects/clients API (003 document) and the prospect_created/prospect_changed events."""
