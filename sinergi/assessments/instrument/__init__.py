"""Instrument definitions as data: the definition, its reader and its compiler.

- definition.py: the frozen dataclasses of a valid instrument and its canonical JSON;
- source.py: YAML read with the line of every key and item;
- values.py, questions.py, reader.py: reading a file into a Definition, every problem
  naming its line (`parse_definition`, `load_definition`, `default_definition`);
- compiler.py: the lookup structures scoring uses (`Definition.compile()`).

Nothing here touches the database.
"""
