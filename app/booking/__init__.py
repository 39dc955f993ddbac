"""Calendar booking: availability, slots, bookings, invitations."""
