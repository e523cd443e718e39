"""Hand-written feedback for the frozen test part, one module per journey map.

Each module holds literal data only: ``MAP`` (the map file stem), ``LANGUAGE`` (the map's language,
the default for its rows), ``RATING_TYPE`` (the scale its ratings use unless a row says otherwise) and
``ROWS``, a dict from stage name (``None`` when no stage applies) to a list of tuples
``(sentiment, text)``, ``(sentiment, text, rating)`` or ``(sentiment, text, rating, extras)``, with
sentiment written as ``"-"``, ``"0"`` or ``"+"``. ``extras`` is a dict that may hold ``alt`` (a second
acceptable stage), ``lang`` (the row's language when it is not the map's), ``rt`` (another rating
scale) and ``vague`` (True when the row has a stage but the text neither names nor clearly describes
it, so ``names_stage`` is false).

The texts were written one by one for this project; see the dataset README for provenance and licence.
"""
