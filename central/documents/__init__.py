"""The versioned documents kiosks fetch with ETags: the catalog, the trust and
revocation lists, each checked with the contract's own code before it is published."""
