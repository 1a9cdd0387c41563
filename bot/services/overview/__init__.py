"""What staff see: the morning run and its digest, the Home tab, worklists, the reminder cards'
views and their legal part."""
