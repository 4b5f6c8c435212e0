"""Email digests: composing each subscriber's papers, rendering the mail, and delivering it exactly
once through the delivery ledger (docs/digests.md)."""
