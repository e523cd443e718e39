"""Drafting a journey map from a brief: find the closest reference journeys in the product's library,
adapt the closest one to the brief (language, persona, product, channel), let a model (when there is one)
rewrite the parts that need judgement, and mark where every piece comes from.

Import the parts from their modules: `brief`, `library`, `retrieve`, `adapt`, `methodology`, `compose`."""
