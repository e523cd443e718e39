"""Hand-written feedback texts for the labelled set, one module per journey map.

Each module holds literal data only: ``RATING_TYPE`` (the survey scale its ratings use unless a row says
otherwise) and ``ROWS``, a dict from stage name (``None`` for off-topic rows) to a list of tuples
``(sentiment, text)`` or ``(sentiment, text, rating)`` or ``(sentiment, text, rating, rating_type)``,
with sentiment written as ``"-"``, ``"0"`` or ``"+"``.
"""
