"""The request and result models every layer speaks: the workspace takes requests and returns
results; stores, analysis, faces and the assistant import them from here (they import only the domain)."""
