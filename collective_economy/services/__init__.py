"""The collective economy's writers: accounts entered by hand and imports of them."""
