"""Reading and text: the article record, readers, normalisation, language, sentences,
anchors, who / where / when."""
