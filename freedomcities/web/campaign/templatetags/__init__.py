"""Template tags of the campaign tracker."""
