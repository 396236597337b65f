"""Every table input side by side (the descriptors and the musicnn embeddings of each chunk): the fusion family's input."""

import numpy as np

from .base import Representation


class Combined(Representation):
    """The chunk rows of several table representations joined on ``file, chunk`` (they share one
    chunk grid), their columns concatenated in the order given. Its DVC output is the folder that
    holds all inputs, so the family that reads it reruns when any of them changes."""

    name, output = "inputs", "data/inputs"

    def __init__(self, parts):
        self.parts = list(parts)

    def read(self):
        table = self.parts[0].read()
        for part in self.parts[1:]:
            other = part.read()
            table = table.merge(other[[c for c in other.columns if c not in table.columns or c in ("file", "chunk")]],
                                on=["file", "chunk"], how="inner", validate="one_to_one")
        return table

    def columns_by_input(self, params):
        """Each part's name → its columns, in concatenation order."""
        return {part.name: part.columns(params) for part in self.parts}

    def columns(self, params):
        return [column for columns in self.columns_by_input(params).values() for column in columns]

    def config(self, params):
        config = {"columns_by_input": self.columns_by_input(params)}
        for part in self.parts:
            config.update(part.config(params))
        return config

    def description(self, params):
        described = {}
        for part in self.parts:
            described.update(part.description(params))
        return described

    def chunks(self, config, y, parts):
        return [part.chunks(config, y, parts) for part in self.parts]  # one result per part

    def batch(self, config, values, columns):
        return np.hstack([part.batch(config, value, config["columns_by_input"][part.name])
                          for part, value in zip(self.parts, values, strict=True)])
