"""A community of any size for the benchmarks, built in bulk (`manage.py generate_community`).

Members' requests would take hours to write a million posts, so the rows are inserted in bulk,
yet they hold what the services would have written:

- the founders (the first members) found the charter through `charter.services`, as on a new
  site; everyone who joined later accepted it on joining;
- posts are numbered 1..n in their thread, dated in order and inserted in the order they were
  written (as a real forum's rows lie on disk); every counter is what `forum.services.recount`
  computes; whoever posted in a thread watches it and has read it up to their last post there;
- a post's Markdown is a few blocks (paragraphs, lists, code, quotes, headings) separated by
  blank lines, drawn from a pool whose blocks are each rendered once by `forum.rendering`; a
  post's HTML is the concatenation of its blocks' HTML, which is what rendering the whole source
  gives (checked on a sample of posts at every run, and by the tests);
- on PostgreSQL, posts are loaded by COPY, and each post's search vector computed as they are
  inserted, as `forum.services` indexes a post;
- the moderation queue and journal are played through `moderation.services`.

Everything random comes from one seeded generator: a seed gives the same texts every time.

The prose's words are data (`vocabulary.py`); `prose.py` writes Markdown with them;
`community.py` holds the community being built, which each stage (`members.py`, `threads.py`,
`posts.py`, `reading.py`, `cases.py`) fills in, in the order `build.py` runs them.
"""
