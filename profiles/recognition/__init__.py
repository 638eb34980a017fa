"""Recognition of contributions: kudos, badges, reputation and the contribution timeline.

Recognition rewards quality over volume (see docs: motivation profiles): accepted
answers, replies from others and praise from distinct peers count; posting a lot or
collecting followers does not.
"""
