from members.models import Member


def update_profile(*, member: Member, **changes: str) -> Member:
    for field, value in changes.items():
        setattr(member, field, value)
    member.save(update_fields=list(changes))
    return member


def choose_language(*, member: Member, language: str) -> Member:
    return update_profile(member=member, language=language)
