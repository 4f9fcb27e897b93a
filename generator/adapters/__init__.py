"""Where the pipeline meets other tools: the MkDocs plugin, the generate writer, publishing."""
