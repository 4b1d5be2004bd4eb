"""What members announces to the apps above it, which it may not import."""

from django.dispatch import Signal

# Sent, inside the transaction, when what others see beside a member's posts changes: their
# name or their moderator badge. Arguments: member.
shown_differently = Signal()
