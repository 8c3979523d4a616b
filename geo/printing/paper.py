"""Paper sizes, orientations and file formats of printed documents (no drawing library)."""

PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}  # short side, long side
SIZES = tuple(PAPER_MM)
ORIENTATIONS = ("portrait", "landscape")
SHEET_FORMATS = ("pdf", "png")
BRIEFING_FORMATS = ("docx", "pdf")
