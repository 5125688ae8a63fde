"""Trade fairs (trade promotion, step 6 of the OCOP cycle): fairs, booths on a floor plan,
booth requests by cooperatives, the waiting list of a full fair; their public pages, the
cooperative's requests (/dashboard/fairs) and the office's fair pages (/admin/fairs)."""
