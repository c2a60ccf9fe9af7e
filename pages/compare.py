import streamlit as st

st.title("compare")
st.write(st.session_state["settings"])
