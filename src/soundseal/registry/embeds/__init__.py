"""How often each certificate's embedded verify widget is opened."""
