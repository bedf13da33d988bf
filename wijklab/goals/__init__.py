"""Goals: learning goals against qualification frameworks, evidence, feedback and sign-off."""
