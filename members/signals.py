"""What members announces to the apps above it, which it may not import."""

from django.dispatch import Signal

# Sent, inside the transaction, when what others see beside a member's posts changes: their
# name, their picture or their moderator badge. Arguments: member.
shown_differently = Signal()

# Sent when someone gives a banned member's right password, at most once an hour a member
# (services.refuse_banned_sign_in): the sign-in was answered as a wrong password, and the app
# that bans tells the member why. Arguments: member.
banned_sign_in_refused = Signal()
